import type { ProductItemResponse } from '@runrun/contracts';
import { reservedItems } from '../reservation/reservations';
import type { CreateOrderForm } from './order.dto';
import { Order, orderName, OrderStatus, paymentAmount, paymentDeadlineOf } from './order.entity';
import { productQuantity } from './order-lifecycle';
import { buildOrder, toOrderItem } from './order.service';

const item = (id: string, brandId: number, discountedPrice: number, purchaseLimit = 0): ProductItemResponse => ({
  id,
  thumbnail: `${id}.png`,
  brandId,
  brandName: `brand ${brandId}`,
  name: `product ${id}`,
  discount: 0,
  price: discountedPrice,
  discountedPrice,
  orderingOpensAt: '2026-01-01T00:00:00',
  quantity: 100,
  purchaseLimit,
});
const receiver = {
  isDefault: false,
  name: '송송이',
  address: '서울시 강남구 테헤란로 1',
  zipCode: '12345',
  phone: '010-1234-5678',
};
const form = (lines: [string, number][]): CreateOrderForm =>
  ({ products: lines.map(([id, quantity]) => ({ id, quantity })), receiver }) as CreateOrderForm;

// brand 1 delivers free from 30 000, else 3 000; brand 2 free from 10 000, else 2 500
const brands = new Map([
  [1, { freeDeliveryInfimum: 30_000, deliveryFee: 3000 }],
  [2, { freeDeliveryInfimum: 10_000, deliveryFee: 2500 }],
]);
const catalogue = new Map([
  ['a', item('a', 1, 10_000)],
  ['b', item('b', 1, 5000, 2)],
  ['c', item('c', 2, 4000)],
]);

describe('an order built from the catalogue', () => {
  it('charges discounted price × quantity per line and one delivery fee per brand below its threshold', () => {
    const order = buildOrder(
      'O-1',
      7,
      form([
        ['a', 1],
        ['b', 2],
        ['c', 1],
      ]),
      catalogue,
      (id) => brands.get(id),
    );
    expect(order.products!.a.amount).toBe(10_000);
    expect(order.products!.b.amount).toBe(10_000);
    expect(order.totalAmount).toBe(24_000);
    // brand 1: 20 000 < 30 000 pays 3 000; brand 2: 4 000 < 10 000 pays 2 500
    expect(order.deliveryFees).toEqual({ 1: 3000, 2: 2500 });
    expect(order.totalDeliveryFee).toBe(5500);
    expect(paymentAmount(order as Order)).toBe(29_500);
  });

  it('delivers free from the brand threshold on (the subtotal reaching it exactly included)', () => {
    const order = buildOrder(
      'O-2',
      7,
      form([
        ['a', 3],
        ['c', 3],
      ]),
      catalogue,
      (id) => brands.get(id),
    );
    expect(order.deliveryFees).toEqual({ 1: 0, 2: 0 });
    expect(order.totalDeliveryFee).toBe(0);
    const atThreshold = buildOrder('O-3', 7, form([['b', 2]]), catalogue, () => ({
      freeDeliveryInfimum: 10_000,
      deliveryFee: 9,
    }));
    expect(atThreshold.totalDeliveryFee).toBe(0);
  });

  it('charges no delivery for a brand the brand service does not know', () => {
    const order = buildOrder('O-4', 7, form([['c', 1]]), catalogue, () => undefined);
    expect(order.deliveryFees).toEqual({ 2: 0 });
  });

  it('awaits payment, belongs to the shopper, and marks lines of limited products as counted per shopper', () => {
    const order = buildOrder(
      'O-5',
      7,
      form([
        ['a', 1],
        ['b', 1],
      ]),
      catalogue,
      (id) => brands.get(id),
    );
    expect(order).toMatchObject({ orderId: 'O-5', userId: '7', status: OrderStatus.PAYMENT_PENDING });
    expect(order.receiver).toEqual({
      name: '송송이',
      address: receiver.address,
      zipCode: '12345',
      phone: '010-1234-5678',
    });
    expect(order.products!.a.perShopper).toBeUndefined();
    expect(order.products!.b.perShopper).toBe(true);
    expect(reservedItems(order as Order)).toEqual([
      { productId: 'a', quantity: 1 },
      { productId: 'b', quantity: 1, perShopper: true },
    ]);
    expect(productQuantity(order as Order)).toEqual({ a: 1, b: 1 });
  });
});

describe('an order as the shopper lists it', () => {
  const built = buildOrder(
    'O-6',
    7,
    form([
      ['a', 1],
      ['c', 2],
      ['b', 1],
    ]),
    catalogue,
    (id) => brands.get(id),
  );
  const order = { ...built, id: '42', createdAt: new Date('2026-11-27T01:00:00Z') } as Order;

  it('groups its lines by brand, each brand with its delivery fee', () => {
    const listed = toOrderItem(order);
    expect(listed).toMatchObject({
      id: 42,
      orderNumber: 'O-6',
      status: 'PAYMENT_PENDING',
      orderingAt: '2026-11-27T01:00:00.000Z',
    });
    expect(listed.brands.map((b) => [b.brandId, b.deliveryFee, b.products.map((p) => p.productId)])).toEqual([
      [1, 3000, ['a', 'b']],
      [2, 2500, ['c']],
    ]);
    expect(listed.brands[1].products[0]).toMatchObject({ quantity: 2, amount: 8000, brandName: 'brand 2' });
  });

  it('is named after its first product and how many more it holds', () => {
    expect(orderName(order)).toBe('product a 외2건');
    expect(orderName({ ...order, products: { a: order.products.a } })).toBe('product a');
  });
});

describe('the payment deadline', () => {
  const createdAt = new Date('2026-11-27T00:00:00Z');
  it('is the stored one, or creation + the window for orders from before deadlines were stored', () => {
    const stored = new Date('2026-11-27T00:05:00Z');
    expect(paymentDeadlineOf({ createdAt, paymentDeadline: stored }, 900_000)).toBe(stored.getTime());
    expect(paymentDeadlineOf({ createdAt, paymentDeadline: null }, 900_000)).toBe(createdAt.getTime() + 900_000);
  });
});
