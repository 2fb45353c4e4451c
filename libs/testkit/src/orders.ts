/** The order request body, as the original's clients (and its load test) send it. */
export const orderForm = (products: [string, number][], extra: Record<string, unknown> = {}) => ({
  products: products.map(([id, quantity]) => ({ id, quantity })),
  shouldSaveNewAddress: false,
  shouldDeleteCartItem: false,
  receiver: {
    isDefault: true,
    name: '송송이',
    address: '서울특별시 성북구 보문로 34로',
    zipCode: '11234',
    phone: '010-2223-1111',
  },
  ...extra,
});
