import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

/**
 * A MariaDB server of the test's own (a throw-away data directory), with settings the shared one
 * does not have (e.g. another time zone). It has the application account `runrun`/`runrun`.
 */
export class OwnMariaDb {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'runrun-mariadb-'));

  constructor(
    readonly port: number,
    private readonly options: string[] = [],
  ) {}

  /** Starts the server; a second start (after `halt`) keeps the data written before. */
  async start(): Promise<void> {
    const data = join(this.dir, 'data');
    const socket = join(this.dir, 'mysqld.sock');
    const user = `--user=${userInfo().username}`;
    const fresh = !existsSync(data);
    if (fresh) {
      execFileSync(
        'mariadb-install-db',
        ['--no-defaults', user, `--datadir=${data}`, '--auth-root-authentication-method=socket'],
        { stdio: 'ignore' },
      );
    }
    this.process = spawn(
      'mariadbd',
      [
        '--no-defaults',
        user,
        `--datadir=${data}`,
        `--socket=${socket}`,
        `--pid-file=${join(this.dir, 'mariadb.pid')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=32M',
        `--log-error=${join(this.dir, 'mariadb.log')}`,
        ...this.options,
      ],
      { stdio: 'ignore' },
    );
    const root = (sql: string) =>
      execFileSync('mariadb', ['--protocol=socket', '-S', socket, '-uroot', '-e', sql], { stdio: 'pipe' });
    for (let waited = 0; ; waited += 200) {
      try {
        root('SELECT 1');
        break;
      } catch (error) {
        if (waited > 30_000) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (!fresh) return;
    root(
      "CREATE USER 'runrun'@'127.0.0.1' IDENTIFIED BY 'runrun'; GRANT ALL PRIVILEGES ON *.* TO 'runrun'@'127.0.0.1';",
    );
  }

  /** A connection of the application account, as any client opens it. */
  connect(database?: string) {
    return createConnection({ host: '127.0.0.1', port: this.port, user: 'runrun', password: 'runrun', database });
  }

  /** Stops the server and keeps its data, for a restart (SIGKILL: a crash, InnoDB recovers on start). */
  async halt(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.process;
    if (p && p.exitCode === null) await new Promise((r) => (p.once('exit', r), p.kill(signal)));
  }

  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
