/**
 * The order service's public surface, package export `@runrun/order/jobs`: what the scheduled
 * jobs (cron-jobs) run on the order database. Nothing else of the order app is importable from
 * outside it (package.json `exports`, and the lint rule against deep imports).
 */
export { paymentWindowConfig } from '../config';
export { Order } from '../order/order.entity';
export { OrderLifecycle } from '../order/order-lifecycle';
export { OrderRepository } from '../order/order.repository';
export { OrderJobs } from './order-jobs';
