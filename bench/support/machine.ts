import { cpus, totalmem } from 'node:os';
import type { Pool } from 'pg';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  server: 'embedded' | 'external';
  /** The server settings that decide what a commit costs; durability must stay on. */
  settings: Record<string, string>;
}

const SETTINGS = [
  'synchronous_commit',
  'fsync',
  'wal_sync_method',
  'shared_buffers',
  'max_connections',
];

export async function machineInfo(
  pool: Pool,
  server: 'embedded' | 'external',
): Promise<MachineInfo> {
  const { rows } = await pool.query<{ name: string; setting: string; unit: string | null }>(
    'SELECT name, setting, unit FROM pg_settings WHERE name = ANY ($1)',
    [SETTINGS],
  );
  const { rows: version } = await pool.query<{ server_version: string }>('SHOW server_version');
  const settings: Record<string, string> = {};
  for (const r of rows)
    settings[r.name] = r.unit === '8kB' ? `${(Number(r.setting) * 8) / 1024}MB` : r.setting;
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: version[0]?.server_version ?? 'unknown',
    server,
    settings,
  };
}

export function describeMachine(m: MachineInfo): string {
  const settings = SETTINGS.filter((s) => m.settings[s] !== undefined)
    .map((s) => `${s}=${m.settings[s]}`)
    .join(', ');
  return [
    `machine:    ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB`,
    `node:       ${m.node}`,
    `postgres:   ${m.postgres} (${m.server}); ${settings}`,
  ].join('\n');
}
