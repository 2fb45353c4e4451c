import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import './async-resource-bind';

describe('AsyncResource#bind without the per-call deprecation wrappers', () => {
  const storage = new AsyncLocalStorage<string>();

  it('runs the bound function in the async context the resource was made in, with its arguments and `this`', () => {
    const resource = storage.run('at creation', () => new AsyncResource('test'));
    const bound = resource.bind(function (this: unknown, a: number, b: number) {
      return { context: storage.getStore(), self: this, sum: a + b };
    });
    const receiver = { bound };
    expect(storage.run('at call', () => receiver.bound(1, 2))).toEqual({
      context: 'at creation',
      self: receiver,
      sum: 3,
    });
    expect(bound.length).toBe(2);
    expect((bound as unknown as { asyncResource: AsyncResource }).asyncResource).toBe(resource);
  });

  it('uses the `this` given to bind', () => {
    const resource = storage.run('at creation', () => new AsyncResource('test'));
    const self = { name: 'given' };
    // Node takes a `this` as second argument; the typings of this Node version leave it out
    const bindWithThis = resource.bind.bind(resource) as (fn: () => unknown, thisArg: unknown) => () => unknown;
    const bound = bindWithThis(function (this: unknown) {
      return [storage.getStore(), this];
    }, self);
    expect(bound.call({ name: 'caller' })).toEqual(['at creation', self]);
  });

  it('makes no accessors (Node wraps two in deprecate() on every call): the resource is a plain property', () => {
    const resource = new AsyncResource('test');
    const descriptor = Object.getOwnPropertyDescriptor(
      resource.bind(() => 1),
      'asyncResource',
    );
    expect(descriptor?.value).toBe(resource);
    expect(descriptor?.get).toBeUndefined();
  });
});
