import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** NATS_SERVER_BIN, or where the Debian package puts the server, or `nats-server` on PATH. */
const BINARY =
  process.env.NATS_SERVER_BIN ??
  (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * A NATS server with JetStream of the test's own (loopback, a free port, a storage folder of
 * its own), so that a test may kill it and start it again on the same port and storage.
 */
export class TestNatsServer {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly storeDir: string,
  ) {}

  static async start(): Promise<TestNatsServer> {
    const server = new TestNatsServer(
      await freePort(),
      mkdtempSync(join(tmpdir(), 'cme-ledger-nats-')),
    );
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /**
   * Starts the server (again) and waits until it answers, or fails as soon as it exits: no time
   * budget of its own (a loaded machine starts it when it can; the test's timeout bounds a hang).
   */
  async restart(): Promise<void> {
    if (this.child) throw new Error('the NATS server is running');
    const child = spawn(
      BINARY,
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d).slice(-8000)));
    child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d).slice(-8000)));
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) =>
        reject(new Error(`cannot start ${BINARY} (apt-get install nats-server): ${error.message}`)),
      );
    });
    this.child = child;
    while (!(await Promise.race([answers(this.port), failed]))) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `nats-server exited (${child.exitCode ?? child.signalCode}):\n${this.output}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the server at once (SIGKILL): what it had not stored is lost to it. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills it and removes its storage. */
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
