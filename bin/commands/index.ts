// Every `mutt` subcommand, in the order `mutt --help` lists them.
import type { Command } from './command.ts';
import { up, run, gateway } from './serve.ts';
import { setup } from './setup.ts';
import { configReference } from './config-reference.ts';
import { fakeMoog } from './fake-moog.ts';
import { config } from './config.ts';
import { status } from './status.ts';
import { rules } from './rules.ts';
import { hosts } from './hosts.ts';
import { dlq } from './dlq.ts';
import { send } from './send.ts';
import { keys } from './keys.ts';
import { smoke } from './smoke.ts';
import { audit } from './audit.ts';

export const COMMANDS: Command[] = [up, run, gateway, setup, fakeMoog, configReference, status, config, dlq, rules, audit, hosts, keys, send, smoke];
