import { MalformedEventError, OrderEvent, parseEvent, PaymentFinalizedEvent, StockChangedEvent } from './events';
import { deadLetterTopic, Topics } from './topics';

describe('events on arrival', () => {
  const order = { orderId: 'o-1', productQuantity: { p1: 2, p2: 1 } };

  it("each topic's well-formed event comes through as its class, with its fields", () => {
    const event = parseEvent(Topics.ORDER_CANCELLED, order);
    expect(event).toBeInstanceOf(OrderEvent);
    expect(event).toEqual(order);
    expect(parseEvent(Topics.PAYMENT_FINALIZED, { orderId: 'o-1', isSuccess: false })).toBeInstanceOf(
      PaymentFinalizedEvent,
    );
    expect(parseEvent(Topics.STOCK_CHANGED, { productId: 'p1', delta: -3 })).toEqual({ productId: 'p1', delta: -3 });
    expect(parseEvent(Topics.STOCK_CHANGED, { productId: 'p1', delta: 3 })).toBeInstanceOf(StockChangedEvent);
  });

  it('fields a topic does not declare are dropped', () => {
    expect(parseEvent(Topics.STOCK_CHECK_FAILED, { orderId: 'o-1', extra: 'x' })).toEqual({ orderId: 'o-1' });
  });

  it.each([
    [Topics.ORDER_FAILED, null, 'not a JSON object'],
    [Topics.ORDER_FAILED, [order], 'not a JSON object'],
    [Topics.ORDER_FAILED, { ...order, orderId: '' }, 'orderId must be a non-empty string'],
    [Topics.ORDER_FAILED, { ...order, productQuantity: {} }, 'productQuantity must map'],
    [Topics.ORDER_FAILED, { ...order, productQuantity: { p1: 0 } }, 'productQuantity must map'],
    [Topics.ORDER_FAILED, { ...order, productQuantity: { p1: '2' } }, 'productQuantity must map'],
    [Topics.PAYMENT_FINALIZED, { orderId: 'o-1', isSuccess: 'true' }, 'isSuccess must be true or false'],
    [Topics.STOCK_CHANGED, { productId: 'p1', delta: 1.5 }, 'delta must be an integer'],
    [Topics.ADDRESS, { userId: 'nobody' }, 'userId must be an integer >= 1'],
    [
      Topics.ADDRESS,
      { userId: 7, isDefault: true, name: 'n', address: '', zipCode: '12345', phone: '010' },
      'address must be a non-empty string',
    ],
  ])('%s %j is malformed: %s', (topic, value, message) => {
    expect(() => parseEvent(topic, value)).toThrow(MalformedEventError);
    expect(() => parseEvent(topic, value)).toThrow(message);
  });

  it('every topic has an event class; a dead-letter topic passes its messages as they came', () => {
    for (const topic of Object.values(Topics)) expect(() => parseEvent(topic, {})).toThrow(MalformedEventError);
    expect(parseEvent(deadLetterTopic(Topics.ADDRESS), { userId: 'nobody' })).toEqual({ userId: 'nobody' });
  });
});
