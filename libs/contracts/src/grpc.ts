import { join } from 'node:path';
import type { ProtoName } from './grpc.types';

/** The gRPC messages and services, generated from the .proto files (grpc.types.ts). */
export * from './grpc.types';

export const PROTO_DIR = join(__dirname, '..', 'proto');
export const protoFile = (name: ProtoName): string => join(PROTO_DIR, `${name}.proto`);
