// Copies what one service runs into an image tree: the files (`files` in package.json, else
// `dist`) of the service and of every @runrun workspace it depends on, directly or not.
//   node scripts/image-files.mjs <service> <out-dir>
// The Dockerfile's build stage runs it, so a service's image holds exactly its own code and its
// libraries' (cron-jobs, for one, runs the order package's `jobs` export).
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [service, out] = process.argv.slice(2);
if (!service || !out) {
  console.error('usage: node scripts/image-files.mjs <service> <out-dir>');
  process.exit(2);
}
const read = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const dirOf = new Map(read('.').workspaces.map((dir) => [read(dir).name, dir]));
if (![...dirOf.values()].includes(service)) {
  console.error(`unknown service "${service}"; one of: ${[...dirOf.values()].join(', ')}`);
  process.exit(2);
}

const seen = new Set();
const visit = (dir) => {
  if (seen.has(dir)) return;
  seen.add(dir);
  const pkg = read(dir);
  for (const file of pkg.files ?? ['dist']) {
    if (!existsSync(join(dir, file))) throw new Error(`${dir}/${file} is missing: build first`);
    cpSync(join(dir, file), join(out, dir, file), { recursive: true });
  }
  for (const name of Object.keys(pkg.dependencies ?? {})) if (dirOf.has(name)) visit(dirOf.get(name));
};
visit(service);
console.log(`${service}: ${[...seen].join(', ')}`);
