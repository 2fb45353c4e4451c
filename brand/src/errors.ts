import { AppException } from '@runrun/common';

const error = (code: string, status: number, message: string) => () => new AppException(code, status, message);

/** The brand service's error codes, as the original. */
export const BrandErrors = {
  notBrandOwner: error('NOT_BRAND_OWNER', 403, 'Only the brand owner may do this'),
  brandNotFound: error('BRAND_NOT_FOUND', 404, 'Brand not found'),
  brandLimitOver: error('BRAND_LIMIT_OVER', 400, 'A seller may own at most 5 brands'),
  fileUploadFailed: error('FILE_UPLOAD_FAILED', 503, 'The image could not be stored, try again'),
};
