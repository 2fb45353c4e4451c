import mongoose from 'mongoose';
import { createConnection } from 'mysql2/promise';
import { TEST_MONGO_URL } from './env';

/** Direct access to the real local servers, to arrange data and check what services wrote. */
const mysqlOptions = { host: '127.0.0.1', port: 3306, user: 'runrun', password: 'runrun' };

export async function withMysql<T>(database: string, use: (query: QueryFn) => Promise<T>): Promise<T> {
  const connection = await createConnection({ ...mysqlOptions, database });
  try {
    return await use(async (sql, params = []) => {
      const [rows] = await connection.query(sql, params);
      return rows as Record<string, unknown>[];
    });
  } finally {
    await connection.end();
  }
}
export type QueryFn = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export async function withMongo<T>(use: (db: mongoose.mongo.Db) => Promise<T>): Promise<T> {
  const connection = await mongoose.createConnection(TEST_MONGO_URL).asPromise();
  try {
    return await use(connection.db!);
  } finally {
    await connection.close();
  }
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
