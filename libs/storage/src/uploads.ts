import multipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppException, invalidArgument } from '@runrun/common';
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ACCEPTED_IMAGES, detectImage } from './images';

export interface UploadedImage {
  content: Buffer;
  type: string;
  extension: string;
}

export interface MultipartForm {
  /** The JSON of the `form` part (a text field or a part with content type application/json). */
  form: unknown;
  images: Record<string, UploadedImage>;
}

/** Lets the service read multipart requests; files above `maxFileBytes` are refused. */
export async function registerMultipart(app: NestFastifyApplication, maxFileBytes: number): Promise<void> {
  await app.register(multipart, { limits: { fileSize: maxFileBytes, files: 4, fields: 4, parts: 8 } });
  // an answer given before the body was read (a malformed path parameter, a caller who is no
  // seller) waits for the rest of it: answering mid-upload makes the gateway drop the client's
  // connection instead of passing the answer on
  const drainable = 4 * maxFileBytes + 1024 * 1024;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request) => {
      if (request.isMultipart() && !request.raw.readableEnded) await drain(request.raw, drainable);
    });
}

/** Reads and drops what is left of a request body, up to `maxBytes` (beyond that, answers anyway). */
function drain(body: Readable, maxBytes: number): Promise<void> {
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      body.off('data', count);
      resolve();
    };
    const count = (chunk: Buffer) => {
      read += chunk.length;
      if (read > maxBytes) done();
    };
    body.on('data', count);
    finished(body).then(done, done);
    body.resume();
  });
}

/**
 * Reads the original's multipart shape: a `form` part with the JSON fields and the named image
 * parts. Unknown parts, broken JSON, files that are not images and oversized files are answered
 * 400 REQUEST_ARGUMENT_NOT_VALID naming the part.
 */
export async function readMultipartForm(
  request: FastifyRequest,
  imageFields: string[],
  maxFileBytes: number,
): Promise<MultipartForm> {
  if (!request.isMultipart()) throw invalidArgument('form', 'send multipart/form-data with a JSON part named form');
  let form: unknown = undefined;
  const images: Record<string, UploadedImage> = {};
  const tooLarge = () => invalidArgument('file', `must be at most ${Math.floor(maxFileBytes / 1024 / 1024)} MB`);
  const asClientError = (error: unknown): AppException => {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge();
    // a `form` part typed application/json is parsed by @fastify/multipart itself
    if (code === 'FST_INVALID_JSON_FIELD_ERROR') return invalidArgument('form', 'must be JSON');
    if (error instanceof AppException) return error;
    // everything else here comes from reading the client's body (no boundary, broken parts, limits)
    return invalidArgument('form', `malformed multipart body: ${(error as Error).message}`);
  };
  // the first refused part is remembered and the rest of the body read to its end: answering
  // while the client still sends would reset the connection instead of delivering the 400
  let refused: AppException | undefined;
  try {
    for await (const part of request.parts()) {
      if (refused) {
        await discard(part);
        continue;
      }
      try {
        if (part.fieldname === 'form') {
          form = await readFormPart(part);
        } else if (part.type === 'file' && imageFields.includes(part.fieldname)) {
          const content = await part.toBuffer();
          if (content.length === 0) continue; // an empty file input means "no image"
          const image = detectImage(content);
          if (!image) throw invalidArgument(part.fieldname, `must be ${ACCEPTED_IMAGES}`);
          images[part.fieldname] = { content, ...image };
        } else {
          throw invalidArgument(part.fieldname, 'unexpected part');
        }
      } catch (error) {
        refused = asClientError(error);
        await discard(part);
      }
    }
  } catch (error) {
    throw refused ?? asClientError(error);
  }
  if (refused) throw refused;
  if (form === undefined) throw invalidArgument('form', 'the JSON part named form is missing');
  return { form, images };
}

/**
 * The `form` part however the client typed it: untyped text (browsers, `curl -F form=...`), text
 * typed application/json (Spring's @RequestPart clients, `curl -F 'form=...;type=application/json'`,
 * which @fastify/multipart hands over already parsed), or a JSON file part (with a filename).
 */
async function readFormPart(part: Multipart): Promise<unknown> {
  if (part.type === 'field' && part.mimetype === 'application/json') return part.value;
  const text = part.type === 'file' ? (await part.toBuffer()).toString('utf8') : String(part.value);
  try {
    return JSON.parse(text);
  } catch {
    throw invalidArgument('form', 'must be JSON');
  }
}

/** Reads a file part to its end without keeping it. */
async function discard(part: Multipart): Promise<void> {
  if (part.type !== 'file') return;
  part.file.resume();
  await finished(part.file).catch(() => undefined);
}
