// kfunc names and the BTF ids programs call them by. The simulated-kernel issue fills in the
// registry (flags, prototypes, profiles, implementations); the assembler only needs ids.

export const KFUNC_IDS: Readonly<Record<string, number>> = {};
