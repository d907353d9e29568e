import type { CommandOptions } from '../config.js';
import { authServices, type AuthServices } from '../auth/auth-services.js';
import { readRoles } from '../auth/roles.js';
import { newPassword } from '../auth/tokens.js';
import { TwilioSidInUse } from '../directory/accounts-repository.js';
import { passwordHashOf } from '../directory/user-operations.js';
import type { Role } from '../http/operation.js';
import type { Store } from '../store/open-store.js';
import type { Io } from './main.js';

export const DIRECTORY_USAGE = `  user add EMAIL [--role R,R] [--account ID,ID] [--name N] [--password P]
                     Add a person (roles default to User; a password is made and printed if none is given)
  user list          List people with their roles and accounts
  user passwd EMAIL [--password P]
                     Set a new password (made and printed if none is given); signs the user out everywhere
  account add NAME [--id ID] [--twilio-sid SID]
                     Add an account (tenant)
  apikey create --account ID [--role R,R] [--name N]
                     Create an API key for a machine; the key is printed once and stored hashed
  apikey revoke ID   Revoke an API key by its id`;

class UsageError extends Error {}

const list = (text: string | undefined) => (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function rolesOf(text: string | undefined, fallback: Role[]): Role[] {
  if (!text) return fallback;
  const { roles, unknown } = readRoles(list(text));
  if (unknown.length) throw new UsageError(`unknown role(s): ${unknown.join(', ')} (roles: User, Manager, SystemAdministrator, Customer, CallCenterDashboard)`);
  return roles;
}

/**
 * `user`, `account` and `apikey`: the directory from the command line, on the same repositories
 * the API uses. Returns the exit code (2 for usage errors).
 */
export async function runDirectoryCommand(store: Store, command: string, args: readonly string[], options: CommandOptions, io: Io): Promise<number> {
  const auth = authServices(store);
  try {
    return await dispatch(auth, `${command} ${args[0] ?? ''}`.trim(), args.slice(1), options, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${command}: ${error.message}`);
    return 2;
  }
}

async function dispatch(auth: AuthServices, what: string, args: readonly string[], options: CommandOptions, io: Io): Promise<number> {
  const now = new Date();
  switch (what) {
    case 'user add': {
      const email = args[0];
      if (!email) throw new UsageError('user add needs an EMAIL');
      const accountIds = list(options.account);
      const names = await auth.accounts.namesOf(accountIds);
      const missing = accountIds.find((_, i) => !names[i]);
      if (missing) throw new UsageError(`account '${missing}' does not exist`);
      const password = options.password ?? newPassword();
      const passwordHash = await passwordHashOf(password).catch((e: Error) => Promise.reject(new UsageError(e.message)));
      const user = await auth.users.create({ email, displayName: options.name, roles: rolesOf(options.role, ['User']), accountIds, passwordHash }, now);
      if (!user) throw new UsageError(`a user with email '${email}' already exists`);
      io.out(`Added ${user.email} (${user.id}) roles ${user.roles.join(',')}${accountIds.length ? ` accounts ${accountIds.join(',')}` : ''}`);
      if (!options.password) io.out(`Password: ${password}  (shown once)`);
      return 0;
    }
    case 'user list': {
      const { items } = await auth.users.list({ accountIds: 'all' }, { offset: 0, limit: 10_000, sortBy: 'emailAddress', descending: false });
      for (const user of items) io.out(`${user.id}  ${user.email}  ${user.roles.join(',') || '-'}  ${user.accountIds.join(',') || '-'}`);
      if (!items.length) io.out('No users.');
      return 0;
    }
    case 'user passwd': {
      const user = args[0] ? await auth.users.findByEmail(args[0]) : undefined;
      if (!user) throw new UsageError(args[0] ? `no user with email '${args[0]}'` : 'user passwd needs an EMAIL');
      const password = options.password ?? newPassword();
      const passwordHash = await passwordHashOf(password).catch((e: Error) => Promise.reject(new UsageError(e.message)));
      await auth.users.update(user.id, { passwordHash }, now);
      await auth.signOutEverywhere(user.id);
      io.out(`Password changed for ${user.email}; their sessions are signed out.`);
      if (!options.password) io.out(`Password: ${password}  (shown once)`);
      return 0;
    }
    case 'account add': {
      const name = args.join(' ').trim();
      if (!name) throw new UsageError('account add needs a NAME');
      if (options.id && (await auth.accounts.findById(options.id))) throw new UsageError(`account '${options.id}' already exists`);
      const account = await auth.accounts.create({ name, id: options.id, twilioAccountSid: options.twilioSid }, now).catch((e: unknown) => {
        throw e instanceof TwilioSidInUse ? new UsageError('this Twilio account SID is already in use') : e;
      });
      io.out(`Added account ${account.id} (${account.name})`);
      return 0;
    }
    case 'apikey create': {
      const accountId = options.account;
      if (!accountId || list(accountId).length !== 1) throw new UsageError('apikey create needs --account ID (exactly one)');
      if (!(await auth.accounts.findById(accountId))) throw new UsageError(`account '${accountId}' does not exist`);
      const roles = rolesOf(options.role, ['User']);
      if (roles.includes('SystemAdministrator')) throw new UsageError('an API key belongs to one account; it cannot be a SystemAdministrator');
      const { key, record } = await auth.apiKeys.create({ accountId, roles, name: options.name ?? 'api key' }, now);
      io.out(`Created API key ${record.id} for account ${accountId} with roles ${roles.join(',')}`);
      io.out(`Key: ${key}  (shown once; send it as 'Authorization: Bearer <key>')`);
      return 0;
    }
    case 'apikey revoke': {
      if (!args[0]) throw new UsageError('apikey revoke needs the key ID');
      if (!(await auth.apiKeys.revoke(args[0], now))) throw new UsageError(`no live API key with id '${args[0]}'`);
      io.out(`Revoked API key ${args[0]}.`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command '${what}'\n\n${DIRECTORY_USAGE}`);
  }
}
