import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiResponse, getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { COMMAND_BODIES } from '@qianqi/engine';
import { ProblemDto } from '../controllers/responses.dto';
import { PROBLEM_CONTENT_TYPE } from './http-problem';

/** What the OpenAPI document says beyond what the decorators can: the contract as it runs. */

const PROBLEM = PROBLEM_CONTENT_TYPE.split(';')[0];
const problemContent = () => ({ [PROBLEM]: { schema: { $ref: getSchemaPath(ProblemDto) } } });

const WHY: Record<number, string> = {
  400: 'VALIDATION_FAILED (errors name each field and rule), UNKNOWN_MATERIAL, UNKNOWN_DEFINITION, MALFORMED_BODY',
  401: 'UNAUTHENTICATED: no token, a bad signature, an expired token',
  403: 'FORBIDDEN: wrong role, department or org; nothing written',
  404: 'NOT_FOUND',
  409: 'a refusal by the state of the record (INVALID_TRANSITION, MATERIALS_INCOMPLETE, PROJECT_CODE_TAKEN, DEFINITION_RETIRED…)',
  412: 'PRECONDITION_FAILED: If-Match is stale',
  413: 'PAYLOAD_TOO_LARGE: body over 1 MiB',
  414: 'URI_TOO_LONG: a path parameter over 100 characters',
  415: 'UNSUPPORTED_MEDIA_TYPE: a body that is not application/json',
};

/** 4xx answers of a route, each an application/problem+json document. */
export const ProblemResponses = (...statuses: number[]) =>
  applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) => ApiResponse({ status, description: WHY[status], content: problemContent() })),
  );

/** The command route's body: one schema per command type, told apart by `type`. */
export const CommandBodies = () => {
  const bodies = Object.entries(COMMAND_BODIES);
  return applyDecorators(
    ApiExtraModels(...bodies.map(([, cls]) => cls)),
    ApiBody({
      description: '{ type, …the fields of that command }',
      schema: {
        oneOf: bodies.map(([, cls]) => ({ $ref: getSchemaPath(cls) })),
        discriminator: {
          propertyName: 'type',
          mapping: Object.fromEntries(bodies.map(([type, cls]) => [type, getSchemaPath(cls)])),
        },
      },
    }),
  );
};

/**
 * Finishes the generated document: each command body's `type` is its one value (the classes
 * inherit the property with every value), and every authenticated route may answer any 4xx as a
 * problem document.
 */
export function completeOpenApi(doc: OpenAPIObject): OpenAPIObject {
  const schemas = doc.components?.schemas ?? {};
  for (const [type, cls] of Object.entries(COMMAND_BODIES)) {
    const schema = schemas[cls.name] as { properties?: Record<string, unknown>; required?: string[] };
    if (!schema) continue;
    const { type: _inherited, ...fields } = schema.properties ?? {};
    schema.properties = { type: { type: 'string', enum: [type] }, ...fields };
    schema.required = [...new Set(['type', ...(schema.required ?? [])])];
  }
  for (const path of Object.values(doc.paths)) {
    for (const op of Object.values(path) as Operation[]) {
      // Request bodies refuse unknown fields (whitelist + forbidNonWhitelisted).
      for (const ref of bodyRefs(op)) {
        const schema = schemas[ref.replace('#/components/schemas/', '')] as {
          additionalProperties?: boolean;
        };
        if (schema) schema.additionalProperties = false;
      }
      if (!op?.security?.length || !op.responses) continue;
      op.responses['4XX'] ??= {
        description: 'any refusal, as application/problem+json',
        content: problemContent(),
      };
    }
  }
  return doc;
}

interface Operation {
  security?: unknown[];
  responses?: Record<string, unknown>;
  requestBody?: { content?: Record<string, { schema?: { $ref?: string; oneOf?: { $ref?: string }[] } }> };
}

function bodyRefs(op: Operation): string[] {
  const schema = op?.requestBody?.content?.['application/json']?.schema;
  if (!schema) return [];
  return [schema.$ref, ...(schema.oneOf ?? []).map((s) => s.$ref)].filter((r): r is string => !!r);
}
