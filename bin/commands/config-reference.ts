// `mutt config-reference`: prints docs/CONFIGURATION.md, generated from the configuration schemas.
import { renderConfigReference } from '../../protocol/config-reference.ts';
import { parseFlags } from '../cli-error.ts';
import type { Command } from './command.ts';

export const configReference: Command = {
  name: 'config-reference',
  usage: 'usage: mutt config-reference > docs/CONFIGURATION.md',
  async run(argv) {
    parseFlags(argv, {});
    process.stdout.write(renderConfigReference());
    return 0;
  },
};
