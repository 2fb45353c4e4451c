import { AppException } from '@runrun/common';

/** The user service's error codes and statuses, as the original. */
const error = (code: string, status: number, message: string) => () => new AppException(code, status, message);

export const UserErrors = {
  alreadyDefaultAddress: error('ALREADY_DEFAULT_ADDRESS', 400, 'This is already the default address'),
  onlyAddress: error('ONLY_ADDRESS', 400, 'The only address cannot be deleted'),
  addressNotFound: error('ADDRESS_NOT_FOUND', 404, 'Address not found'),
  emailVerifyCodeUnmatched: error('EMAIL_VERIFY_CODE_UNMATCHED', 401, 'The verification code does not match'),
  notValidEmail: error('NOT_VALID_EMAIL', 400, 'No e-mail verification was requested for this address, or it expired'),
  alreadyVerified: error('ALREADY_VERIFIED', 400, 'This e-mail is already verified'),
  emailNotFound: error('EMAIL_NOT_FOUND', 404, 'No account with this e-mail'),
  alreadyRegisteredEmail: error('ALREADY_REGISTER_EMAIL', 403, 'This e-mail is already registered'),
  notVerifiedEmail: error('NOT_VERIFIED_EMAIL', 401, 'Verify this e-mail before signing up'),
  wrongPassword: error('WRONG_PASSWORD', 401, 'Wrong password'),
  emptyRefreshToken: error('EMPTY_REFRESH_TOKEN', 403, 'No valid refresh token'),
  mailSendFailed: error('MAIL_SEND_FAILED', 503, 'The verification e-mail could not be sent, try again'),
};
