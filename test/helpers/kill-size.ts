// The size of the kill tests (resume-upload, resume-download): the issue's
// 600 MiB in 64 MiB segments with SWIFTCLIENT_KILL_TEST_SIZE=full (scripts/test
// sets it for the machine's Node), otherwise 96 MiB in 8 MiB segments: the
// same assertions, fast enough for every runtime on two shared cores.
const MiB = 1 << 20;

/** The file size (before a test's odd extra bytes) and the segment size of a kill test. */
export interface KillTestSize {
  name: 'small' | 'full';
  size: number;
  segment: number;
}

/** The kill tests' size for a value of SWIFTCLIENT_KILL_TEST_SIZE (unset or empty: small). */
export function killTestSize(value: string | undefined): KillTestSize {
  if (value === undefined || value === '' || value === 'small') return { name: 'small', size: 96 * MiB, segment: 8 * MiB };
  if (value === 'full') return { name: 'full', size: 600 * MiB, segment: 64 * MiB };
  throw new Error(`SWIFTCLIENT_KILL_TEST_SIZE=${value}: expected "small" or "full"`);
}

export const KILL_TEST = killTestSize(process.env.SWIFTCLIENT_KILL_TEST_SIZE);
