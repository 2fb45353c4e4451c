import { appError, invalidArgument } from '@runrun/common';

/** The product service's error codes, as the original. */
export const ProductErrors = {
  productNotFound: appError('PRODUCT_NOT_FOUND', 404, 'Product not found'),
  alreadyDeletedProduct: appError('ALREADY_DELETED_PRODUCT', 404, 'The product was deleted'),
  notProductAdmin: appError('NOT_PRODUCT_ADMIN', 404, "Only the brand's seller may change its products"),
  fileUploadFailed: appError('FILE_UPLOAD_FAILED', 503, 'The image could not be stored, try again'),
  unknownCategory: () => invalidArgument('categoryId', 'no such category'),
};
