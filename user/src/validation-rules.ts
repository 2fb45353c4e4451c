/** The original's validation rules (regexes exact). */
// `+-\_` is the range + … _ exactly as in the original Java pattern
// eslint-disable-next-line no-useless-escape
export const EMAIL = /^[a-zA-Z0-9+-\_.]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$/;
export const PASSWORD = /^(?=.*?[A-Z])(?=.*?[a-z])(?=.*?[0-9])(?=.*?[#?!@$ %^&*-]).{8,}$/;
export const PHONE = /^0\d{1,2}-\d{3,4}-\d{4}$/;
export const ZIP_CODE = /^[0-9]{5}$/;
/** argon2 takes any length; a bound keeps one request's hashing work small */
export const PASSWORD_MAX_LENGTH = 128;

export const MESSAGES = {
  email: 'must be an e-mail address',
  emailLength: 'must be at most 161 characters',
  passwordLength: `must be at most ${PASSWORD_MAX_LENGTH} characters`,
  password:
    'must be at least 8 characters with an upper-case letter, a lower-case letter, a digit and one of #?!@$ %^&*-',
  phone: 'must be a phone number like 010-1234-5678',
  name: 'must be 2 to 30 characters',
  address: 'must be 8 to 100 characters and at most 161 bytes in UTF-8 (53 Korean syllables)',
  zipCode: 'must be 5 digits',
  userType: 'must be CUSTOMER or SELLER',
};
