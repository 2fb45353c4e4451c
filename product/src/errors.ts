import { AppException } from '@runrun/common';

const error = (code: string, status: number, message: string) => () => new AppException(code, status, message);

/** The product service's error codes, as the original. */
export const ProductErrors = {
  productNotFound: error('PRODUCT_NOT_FOUND', 404, 'Product not found'),
  alreadyDeletedProduct: error('ALREADY_DELETED_PRODUCT', 404, 'The product was deleted'),
  notProductAdmin: error('NOT_PRODUCT_ADMIN', 404, "Only the brand's seller may change its products"),
  fileUploadFailed: error('FILE_UPLOAD_FAILED', 503, 'The image could not be stored, try again'),
  unknownCategory: () => new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, { categoryId: 'no such category' }),
};
