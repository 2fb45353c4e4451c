import { RunningService, stopAll } from '@runrun/launcher';

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as { __RUNRUN__?: RunningService[] }).__RUNRUN__ ?? [];
  await stopAll(services);
}
