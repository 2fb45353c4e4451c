import { FactoryProvider } from '@nestjs/common';
import { CONFIG, DependencyRegistry } from '@runrun/common';
import mongoose, { Connection } from 'mongoose';
import type { ProductConfig } from './config';

/**
 * The product database. Locally FerretDB (MongoDB wire protocol), in production a MongoDB
 * replica set: only operations both support are used (CRUD, findAndModify, simple aggregation).
 */
export const MONGO = Symbol('MONGO');

export const mongoProvider: FactoryProvider<Connection> = {
  provide: MONGO,
  inject: [CONFIG, DependencyRegistry],
  useFactory: async (config: ProductConfig, dependencies: DependencyRegistry) => {
    const connection = mongoose.createConnection(config.mongoUrl, {
      serverSelectionTimeoutMS: 3000,
      maxPoolSize: 20,
    });
    await connection.asPromise();
    dependencies.register(
      'mongodb',
      async () => {
        if (!connection.db) throw new Error('not connected');
        await connection.db.admin().ping();
      },
      () => connection.close(),
    );
    return connection;
  },
};
