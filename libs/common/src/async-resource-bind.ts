import { AsyncResource } from 'node:async_hooks';

/**
 * Node 20's `AsyncResource#bind` wraps two accessors of the bound function in `deprecate()` each
 * time (DEP0172), and `deprecate` re-prototypes a fresh function: about 15 µs per call, where the
 * binding itself costs 1. Fastify binds once per request that has a body, so the gateway and the
 * order service paid it on every order (2–3 % of their CPU in the flash sale). This bind does the
 * same (the function runs in the resource's async scope, with the caller's `this` unless one is
 * given) and keeps `asyncResource` as a plain property.
 */
type Bindable = (...args: unknown[]) => unknown;

function bind(this: AsyncResource, fn: Bindable, thisArg?: unknown): Bindable {
  const resource: AsyncResource = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the bound function has its own `this`
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]) {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : resource.runInAsyncScope.bind(resource, fn, thisArg);
  Object.defineProperties(bound, {
    length: { configurable: true, enumerable: false, value: fn.length, writable: false },
    asyncResource: { configurable: true, enumerable: true, value: resource, writable: true },
  });
  return bound;
}

AsyncResource.prototype.bind = bind as AsyncResource['bind'];
