// Public face of the VM: the interpreter with its debugger controls, guest memory, raw runs.
export { Vm, noHost, DEFAULT_MAX_INSNS, type VmHost, type VmOptions, type VmSnapshot, type Fault, type FaultKind, type RunStatus, type VmTier } from './vm.ts';
export { GuestMemory, GUEST_BASE_HI, PERM_READ, PERM_WRITE, formatAddress, type Region, type RegionKind } from './memory.ts';
export { runRaw, createRawVm, rawHost, type RawRunOptions, type RawRunResult, type RawProblem } from './raw.ts';
