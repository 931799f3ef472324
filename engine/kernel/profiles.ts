// The two kernel profiles the playground emulates (DESIGN.md): the API of Linux 6.3, where the
// cpumask kfuncs arrived, and of Linux 6.18, today's kernel. Everything version-dependent is
// tagged with the profiles it exists in.

export type KernelProfile = 'linux-6.3' | 'linux-6.18';
export const KERNEL_PROFILES: readonly KernelProfile[] = ['linux-6.3', 'linux-6.18'];
export const DEFAULT_PROFILE: KernelProfile = 'linux-6.18';

/** NR_CPUS of the simulated kernel: the size of struct cpumask (4096 bits = 512 bytes). */
export const NR_CPUS = 4096;
export const DEFAULT_CPUS = 8;

/** The profile as people say it: "Linux 6.18". */
export function profileName(p: KernelProfile): string {
  return p.replace(/^linux-/, 'Linux ');
}

export function isProfile(x: string): x is KernelProfile {
  return (KERNEL_PROFILES as readonly string[]).includes(x);
}
