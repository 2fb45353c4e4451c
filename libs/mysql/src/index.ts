import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import * as mysql2 from 'mysql2';
import { createConnection } from 'mysql2/promise';
import { MysqlConfig, DependencyRegistry } from '@runrun/common';
import {
  CreateDateColumn,
  DataSource,
  DataSourceOptions,
  EntityManager,
  EntitySchema,
  QueryFailedError,
  UpdateDateColumn,
} from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Entity = Function | EntitySchema;

/** The audit columns every table has, as the original's JPA auditing. */
export abstract class Audited {
  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}

@Injectable()
class MysqlReadiness implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dependencies: DependencyRegistry,
  ) {}
  onModuleInit(): void {
    // TypeORM's module destroys it too, after the application's hooks: whichever comes first
    this.dependencies.register(
      'mysql',
      () => this.dataSource.query('SELECT 1'),
      async () => {
        if (this.dataSource.isInitialized) await this.dataSource.destroy();
      },
    );
  }
}

/**
 * The service's MySQL database through TypeORM. Times are stored in UTC (driver and session). The
 * schema follows the entities (synchronize), as the original's `ddl-auto: update` did.
 */
@Module({})
export class MysqlModule {
  static forRoot(config: MysqlConfig, entities: Entity[]): DynamicModule {
    const options = typeormOptions(config, entities);
    return {
      module: MysqlModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: async () => {
            await createDatabaseIfMissing(config);
            return options;
          },
        }),
        TypeOrmModule.forFeature(entities),
      ],
      providers: [MysqlReadiness],
      exports: [TypeOrmModule],
    };
  }
}

/** Creates the service's database when the account may (locally and in tests it may). */
async function createDatabaseIfMissing(config: MysqlConfig): Promise<void> {
  const connection = await createConnection({
    host: config.host,
    port: config.port,
    user: config.username,
    password: config.password,
    connectTimeout: 3000,
  });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${config.database.replace(/`/g, '')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } catch {
    // no CREATE privilege: the database is provisioned by the operator
  } finally {
    await connection.end();
  }
}

/**
 * Every connection's session time zone is UTC, set before its first statement: values the server
 * computes (`CURRENT_TIMESTAMP` defaults, `NOW()` in conditions) are then in the same zone as those
 * the driver writes (`timezone: 'Z'`), whatever zone the server runs in.
 */
export const SESSION_TIME_ZONE = '+00:00';

const utcSessions = {
  ...mysql2,
  createPool(options: mysql2.PoolOptions): mysql2.Pool {
    const pool = mysql2.createPool(options);
    // emitted before the new connection is handed out, so this runs ahead of its first query
    pool.on('connection', (connection) => {
      connection.query(`SET time_zone = '${SESSION_TIME_ZONE}'`, (error: Error | null) => {
        if (error) connection.destroy(); // never used in another zone: the pool opens a new one
      });
    });
    return pool;
  },
};

/** TypeORM's options for the service's database (exported for tests and tools). */
export function typeormOptions(config: MysqlConfig, entities: Entity[]): TypeOrmModuleOptions & DataSourceOptions {
  return {
    type: 'mysql',
    connectorPackage: 'mysql2',
    driver: utcSessions,
    host: config.host,
    port: config.port,
    username: config.username,
    password: config.password,
    database: config.database,
    entities,
    synchronize: true,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    poolSize: config.poolSize,
    retryAttempts: 5,
    retryDelay: 1000,
    extra: { connectTimeout: 3000 },
  };
}

/**
 * Runs one statement as a prepared statement on the DataSource's own pool (mysql2 `execute`: the
 * server parses it once per connection, the values go as binary parameters, with the pool's UTC
 * sessions and `timezone: 'Z'`). For hot statements written as SQL: no query builder, no query
 * runner. A failure is TypeORM's `QueryFailedError`, as from any other statement.
 */
export function execute(
  dataSource: DataSource,
  sql: string,
  params: mysql2.ExecuteValues[],
): Promise<mysql2.ResultSetHeader> {
  const pool = (dataSource.driver as MysqlDriver).pool as mysql2.Pool;
  return new Promise((resolve, reject) =>
    pool.execute<mysql2.ResultSetHeader>(sql, params, (error, result) =>
      error ? reject(new QueryFailedError(sql, params, error)) : resolve(result),
    ),
  );
}

/** The statement broke a unique key: the row (or one with its key) is there already. */
export const isDuplicateKey = (error: unknown): boolean =>
  error instanceof QueryFailedError && (error.driverError as { code?: string }).code === 'ER_DUP_ENTRY';

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/**
 * Runs `work` in a transaction, again (up to `attempts` times) when InnoDB chose it as a deadlock
 * victim: row locks over ranges (`SELECT … FOR UPDATE` on rows that may not exist yet) can
 * deadlock between unrelated users, and a retry then succeeds.
 */
export async function transaction<T>(
  dataSource: DataSource,
  work: (tx: EntityManager) => Promise<T>,
  attempts = 4,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      const code = (error as { driverError?: { code?: string } }).driverError?.code;
      if (attempt >= attempts || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
}
export * from './outbox';
