// Faults injected into a real process's system calls with libfiu (Debian's fiu-utils): the
// process runs under `fiu-run -x`, and `fiu-ctrl` turns a failure point on or off while it runs.
// ENOSPC on pwrite reaches SQLite as SQLITE_FULL, EIO on fsync as SQLITE_IOERR_FSYNC.
import { execFileSync } from 'node:child_process';
import { requireTool } from './tools.ts';

export const ENOSPC = 28;
export const EIO = 5;

/** The wrapper for startHearth: the process starts with libfiu's POSIX failure points available. */
export function fiuRun(): string[] {
  requireTool('fiu-ctrl', 'fiu-utils');
  return [requireTool('fiu-run', 'fiu-utils'), '-x'];
}

export function fiuEnable(pid: number, point: string, errno: number): void {
  execFileSync(requireTool('fiu-ctrl', 'fiu-utils'), [
    '-c',
    `enable name=${point},failinfo=${errno}`,
    String(pid),
  ]);
}

export function fiuDisable(pid: number, point: string): void {
  execFileSync(requireTool('fiu-ctrl', 'fiu-utils'), ['-c', `disable name=${point}`, String(pid)]);
}
