// Every `mutt` subcommand, in the order `mutt --help` lists them.
import type { Command } from './command.ts';
import { up, run, gateway } from './serve.ts';
import { setup } from './setup.ts';
import { configReference } from './config-reference.ts';
import { fakeMoog } from './fake-moog.ts';

export const COMMANDS: Command[] = [up, run, gateway, setup, fakeMoog, configReference];
