import type { GatewayConfig } from '../config';

type Upstream = keyof GatewayConfig['upstreams'];

/** Public path prefix → the service behind it. The full path is forwarded unchanged. */
export const ROUTES: [prefix: string, upstream: Upstream][] = [
  ['/users', 'user'],
  ['/brands', 'brand'],
  ['/products', 'product'],
  ['/orders', 'order'],
  ['/carts', 'order'],
  ['/checkout', 'payment'],
  ['/payments', 'payment'],
  // uploaded images, when stored on the local disk (STORAGE=local)
  ['/files/BRAND', 'brand'],
  ['/files/PRODUCT', 'product'],
];
