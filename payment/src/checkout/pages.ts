/** The checkout, success and fail pages (server-rendered, as the original's Thymeleaf pages). */
const escape = (value: unknown) =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const page = (title: string, body: string) => `<!DOCTYPE html>
<html lang="ko">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escape(title)}</title>
  </head>
  <body>
${body}
  </body>
</html>`;

export interface CheckoutModel {
  orderId: string;
  orderName: string;
  amount: number;
  isBlocked: boolean;
  pg: 'mock' | 'toss';
  tossClientKey: string;
}

/**
 * With Toss, the button opens Toss's payment window, which returns to /checkout/success; with the
 * mock PG it goes to /checkout/success directly with a test payment key.
 */
export const checkoutPage = (m: CheckoutModel) =>
  page(
    '결제하기',
    `    <h1>${escape(m.orderName)}</h1>
    <p>주문번호: ${escape(m.orderId)}</p>
    <p>결제 금액: <strong id="amount">${escape(m.amount)}</strong>원</p>
    <label>이메일 <input id="customerEmail" type="email" /></label>
    <label>전화번호 <input id="customerMobilePhone" type="tel" /></label>
    <button id="pay">결제하기</button>
    ${m.pg === 'toss' ? '<script src="https://js.tosspayments.com/v1/payment"></script>' : ''}
    <script>
      const model = ${json({ orderId: m.orderId, orderName: m.orderName, amount: m.amount, isBlocked: m.isBlocked, pg: m.pg, key: m.tossClientKey })};
      if (model.isBlocked) {
        location.href = '/checkout/fail?code=STOCK_SHORTAGE&message=' + encodeURIComponent('Order failed due to insufficient stock');
      }
      document.getElementById('pay').addEventListener('click', () => {
        const customerEmail = document.getElementById('customerEmail').value;
        const customerMobilePhone = document.getElementById('customerMobilePhone').value;
        if (!customerEmail || !customerMobilePhone) return alert('이메일과 전화번호를 모두 입력해 주세요.');
        const successUrl = location.origin + '/checkout/success';
        if (model.pg === 'mock') {
          const query = new URLSearchParams({ paymentKey: 'mock-' + crypto.randomUUID(), orderId: model.orderId, amount: model.amount });
          return (location.href = successUrl + '?' + query);
        }
        TossPayments(model.key).requestPayment({
          orderId: model.orderId, orderName: model.orderName, amount: model.amount,
          successUrl, failUrl: location.origin + '/checkout/fail', customerEmail, customerMobilePhone,
        });
      });
    </script>`,
  );

/** Confirms the payment from the browser (the access cookie goes along) and shows the outcome. */
export const successPage = (q: { paymentKey: string; orderId: string; amount: string }) =>
  page(
    '결제 성공',
    `    <h1 id="title">결제 확인 중…</h1>
    <p>주문번호: ${escape(q.orderId)}</p>
    <p>결제 금액: ${escape(q.amount)}</p>
    <p>paymentKey: ${escape(q.paymentKey)}</p>
    <script>
      const body = ${json({ paymentKey: q.paymentKey, orderId: q.orderId, amount: q.amount })};
      fetch('/payments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' })
        .then(async (res) => {
          if (res.ok) return (document.getElementById('title').textContent = '결제 성공');
          const error = await res.json().catch(() => ({ code: String(res.status), message: res.statusText }));
          location.href = '/checkout/fail?code=' + encodeURIComponent(error.code) + '&message=' + encodeURIComponent(error.message);
        });
    </script>`,
  );

export const failPage = (q: { code: string; message: string }) =>
  page(
    '결제 실패',
    `    <h1>결제 실패</h1>
    <p>에러코드: ${escape(q.code)}</p>
    <p>실패 사유: ${escape(q.message)}</p>`,
  );
