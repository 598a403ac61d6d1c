// Prints docs/API.md (the Markdown rendering of the management API's OpenAPI document) to stdout:
//   node --import tsx gateway/openapi/api-md.ts > docs/API.md

import { apiDocument } from '../api/management.ts';
import { renderApiMarkdown } from './markdown.ts';

process.stdout.write(renderApiMarkdown(apiDocument()));
