import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { ApiModule } from './api.module';
import { acceptJsonBodiesOnly, clientErrorHandler, frameworkErrors } from './http/fastify-errors';
import { BODY_LIMIT } from './http/http-problem';
import { completeOpenApi } from './http/openapi';
import { createValidationPipe } from './http/validation.pipe';

/** Builds the HTTP app (used by main and by the end-to-end tests). */
export async function createApi(opts: { logs?: boolean } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    // Errors Fastify answers before Nest sees the request leave as problem+json too.
    frameworkErrors,
    clientErrorHandler,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && given.length <= 128 ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule, adapter, {
    bufferLogs: true,
    logger: opts.logs === false ? false : undefined,
    // Nest's parsers would add application/x-www-form-urlencoded: bodies are JSON only.
    bodyParser: false,
  });
  acceptJsonBodiesOnly(app.getHttpAdapter().getInstance());
  if (opts.logs !== false) app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('前期通 Qianqi API')
    .setDescription('前期手续 workflow and approval engine: projects, procedures, item commands, the record.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => completeOpenApi(SwaggerModule.createDocument(app, doc)), {
    jsonDocumentUrl: 'docs-json',
  });
  return app;
}
