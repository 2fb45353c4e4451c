import { appError } from '@runrun/common';

/** The user service's error codes and statuses, as the original. */
export const UserErrors = {
  alreadyDefaultAddress: appError('ALREADY_DEFAULT_ADDRESS', 400, 'This is already the default address'),
  onlyAddress: appError('ONLY_ADDRESS', 400, 'The only address cannot be deleted'),
  addressNotFound: appError('ADDRESS_NOT_FOUND', 404, 'Address not found'),
  /** Every failure of a verification link (unknown address, wrong code, expired): one answer, no hint. */
  notValidEmail: appError('NOT_VALID_EMAIL', 400, 'This verification link is not valid or has expired'),
  emailNotFound: appError('EMAIL_NOT_FOUND', 404, 'No account with this e-mail'),
  alreadyRegisteredEmail: appError('ALREADY_REGISTER_EMAIL', 403, 'This e-mail is already registered'),
  notVerifiedEmail: appError(
    'NOT_VERIFIED_EMAIL',
    401,
    'Open the link in the verification e-mail, then sign up from there (no valid sign-up ticket)',
  ),
  wrongPassword: appError('WRONG_PASSWORD', 401, 'Wrong password'),
  emptyRefreshToken: appError('EMPTY_REFRESH_TOKEN', 403, 'No valid refresh token'),
  tooManyRequests: appError('TOO_MANY_REQUESTS', 429, 'Too many verification e-mails asked for, try again later'),
  mailSendFailed: appError('MAIL_SEND_FAILED', 503, 'The verification e-mail could not be sent, try again'),
};
