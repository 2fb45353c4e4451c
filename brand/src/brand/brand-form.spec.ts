import { validateBody } from '@runrun/common';
import { CreateBrandForm, UpdateBrandForm } from './brand.dto';

const form = {
  name: '런런',
  legalName: '주식회사 런런',
  registrationNumber: '123-45-67890',
  deliveryFee: 3000,
  freeDeliveryInfimum: 50_000,
  introduction: 'sneakers',
};
/** The fields a form is refused for, or [] when it is accepted. */
const refused = async (type: typeof UpdateBrandForm, body: unknown) =>
  validateBody(type, body).then(
    () => [],
    (error: { code: string; details: Record<string, string> }) => {
      expect(error.code).toBe('REQUEST_ARGUMENT_NOT_VALID');
      return Object.keys(error.details).sort();
    },
  );

describe("a seller's brand form", () => {
  it('is accepted with every required field, the introduction optional', async () => {
    expect(await refused(CreateBrandForm, form)).toEqual([]);
    expect(await refused(CreateBrandForm, { ...form, introduction: undefined })).toEqual([]);
  });

  it('needs a business registration number like 123-45-67890 to create a brand, not to update one', async () => {
    expect(await refused(CreateBrandForm, { ...form, registrationNumber: '1234567890' })).toEqual([
      'registrationNumber',
    ]);
    const { registrationNumber: _, ...update } = form;
    expect(await refused(CreateBrandForm, update)).toEqual(['registrationNumber']);
    expect(await refused(UpdateBrandForm, update)).toEqual([]);
  });

  it('keeps fees whole, not negative and within their bounds', async () => {
    expect(await refused(CreateBrandForm, { ...form, deliveryFee: -1 })).toEqual(['deliveryFee']);
    expect(await refused(CreateBrandForm, { ...form, deliveryFee: 100_001 })).toEqual(['deliveryFee']);
    expect(await refused(CreateBrandForm, { ...form, deliveryFee: 2500.5 })).toEqual(['deliveryFee']);
    expect(await refused(CreateBrandForm, { ...form, freeDeliveryInfimum: 10_000_001 })).toEqual([
      'freeDeliveryInfimum',
    ]);
    expect(await refused(CreateBrandForm, { ...form, deliveryFee: 0, freeDeliveryInfimum: 0 })).toEqual([]);
  });

  it('bounds names and the introduction, and refuses fields it does not know', async () => {
    expect(await refused(CreateBrandForm, { ...form, name: '', legalName: 'x'.repeat(51) })).toEqual([
      'legalName',
      'name',
    ]);
    expect(await refused(CreateBrandForm, { ...form, introduction: 'x'.repeat(201) })).toEqual(['introduction']);
    expect(await refused(CreateBrandForm, { ...form, userId: 1 })).toEqual(['userId']);
  });
});
