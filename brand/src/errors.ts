import { appError } from '@runrun/common';

/** The brand service's error codes, as the original. */
export const BrandErrors = {
  notBrandOwner: appError('NOT_BRAND_OWNER', 403, 'Only the brand owner may do this'),
  brandNotFound: appError('BRAND_NOT_FOUND', 404, 'Brand not found'),
  brandLimitOver: appError('BRAND_LIMIT_OVER', 400, 'A seller may own at most 5 brands'),
  fileUploadFailed: appError('FILE_UPLOAD_FAILED', 503, 'The image could not be stored, try again'),
};
