import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from './app-error';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      prefix ? message.replace(error.property, path) : message,
    );
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/**
 * Where a string holding NUL sits in a decoded path parameter, query or body: PostgreSQL refuses
 * NUL in text and jsonb, so such a value could only end as a database error (a 500). Iterative;
 * bodies are at most MAX_JSON_DEPTH deep anyway.
 */
function nulPaths(value: unknown, root: string): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [node, path] = stack.pop() as [unknown, string];
    if (typeof node === 'string') {
      if (node.includes('\0')) found.push(path);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        const childPath = path ? `${path}.${key}` : key;
        if (key.includes('\0')) found.push(childPath);
        stack.push([child, childPath]);
      }
    }
  }
  return found;
}

/**
 * Whitelisted, unknown fields refused, payloads transformed to their DTO classes; and, for every
 * route in one place, no NUL character in any parameter, query value or body string.
 */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param' || metadata.type === 'query' || metadata.type === 'body') {
      const paths = nulPaths(value, metadata.data ?? '');
      if (paths.length > 0) {
        throw AppError.validation(
          paths.map((path) => `${path || metadata.type} must not contain NUL characters`),
        );
      }
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => AppError.validation(flatten(errors)),
  });
}
