// Generates libs/contracts/src/grpc.types.ts from the .proto files, so the TypeScript types of
// the gRPC messages and services cannot drift from the protos.
//   node scripts/generate-grpc-types.mjs           write the file
//   node scripts/generate-grpc-types.mjs --check   exit 1 if the committed file is not current
// Types are the messages as @grpc/proto-loader hands them over with the options libs/common uses
// (keepCase, longs as numbers, defaults: every field present). protobufjs comes with proto-loader.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import prettier from 'prettier';
import protobuf from 'protobufjs';

const PROTO_DIR = 'libs/contracts/proto';
const OUT = 'libs/contracts/src/grpc.types.ts';
const SCALARS = {
  string: 'string',
  bool: 'boolean',
  bytes: 'Buffer',
  ...Object.fromEntries(
    [
      'double',
      'float',
      'int32',
      'int64',
      'uint32',
      'uint64',
      'sint32',
      'sint64',
      'fixed32',
      'fixed64',
      'sfixed32',
      'sfixed64',
    ].map((t) => [t, 'number']),
  ),
};

const doc = (comment, indent = '') => (comment ? `${indent}/** ${comment.replace(/\s*\n\s*/g, ' ')} */\n` : '');

const files = readdirSync(PROTO_DIR)
  .filter((f) => f.endsWith('.proto'))
  .sort();
const messages = [];
const services = [];
for (const file of files) {
  const root = new protobuf.Root().loadSync(join(PROTO_DIR, file), { keepCase: true, alternateCommentMode: true });
  for (const item of root.nestedArray) {
    if (item instanceof protobuf.Type) {
      const fields = item.fieldsArray.map((f) => {
        const type = SCALARS[f.type] ?? f.type;
        if (f.map) throw new Error(`${file}: map fields are not supported (${item.name}.${f.name})`);
        return `${doc(f.comment, '  ')}  ${f.name}: ${type}${f.repeated ? '[]' : ''};\n`;
      });
      messages.push(`${doc(item.comment)}export interface ${item.name} {\n${fields.join('')}}\n`);
    } else if (item instanceof protobuf.Service) {
      const rpcs = item.methodsArray.map((m) => `    ${m.name}: [${m.requestType}, ${m.responseType}];\n`);
      services.push({ name: item.name, file: file.replace(/\.proto$/, ''), rpcs });
    }
  }
}

const raw = `// Generated from ${PROTO_DIR}/*.proto by scripts/generate-grpc-types.mjs; do not edit.
// Run \`npm run generate:grpc\` after changing a .proto file (npm test checks it is current).

${messages.join('\n')}
/** rpc name → [request, response], per service; types the clients and servers. */
export interface GrpcServices {
${services.map((s) => `  ${s.name}: {\n${s.rpcs.join('')}  };\n`).join('')}}
export type GrpcServiceName = keyof GrpcServices;
export type ProtoName = ${[...new Set(services.map((s) => `'${s.file}'`))].join(' | ')};
/** The .proto file of each service. */
export const GRPC_PROTO: Record<GrpcServiceName, ProtoName> = {
${services.map((s) => `  ${s.name}: '${s.file}',\n`).join('')}};
`;

// formatted as the rest of the code, so that the lint's formatting check agrees with it
const text = await prettier.format(raw, { ...(await prettier.resolveConfig(OUT)), filepath: OUT });

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {
    // missing: not current
  }
  if (current !== text) {
    console.error(`${OUT} is not current with ${PROTO_DIR}: run npm run generate:grpc and commit the result`);
    process.exit(1);
  }
  console.log(`${OUT} is current (${messages.length} messages, ${services.length} services)`);
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT} (${messages.length} messages, ${services.length} services)`);
}
