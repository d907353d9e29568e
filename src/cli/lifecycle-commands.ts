import type { CommandOptions } from '../config.js';
import { AccountsRepository } from '../directory/accounts-repository.js';
import { LifecyclePolicies, type AccountPolicy } from '../lifecycle/lifecycle-policies.js';
import { SessionsRepository } from '../sessions/sessions-repository.js';
import type { Store } from '../store/open-store.js';
import type { Io } from './main.js';

export const LIFECYCLE_USAGE = `  lifecycle show ACCOUNT
                     An account's live window, retention and legal hold, and their last changes
  lifecycle set ACCOUNT [--live-days N] [--retention-days N] [--legal-hold on|off]
                     Change them (0 days: the default live window, 15 / no retention); audited
  lifecycle hold SESSION [--reason TEXT]
                     Place a legal hold on a session; audited
  lifecycle release SESSION
                     Release a session's legal hold; audited`;

class UsageError extends Error {}

/** Who the audit names for a change made at the console. */
const CLI = 'cli';

function dayCount(flag: string, text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} takes a whole number of days (0: none), got '${text}'`);
  return n === 0 ? null : n;
}

function onOff(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'on' || text === 'off') return text === 'on';
  throw new UsageError(`--legal-hold takes on or off, got '${text}'`);
}

const describePolicy = (accountId: string, p: AccountPolicy) =>
  `${accountId}: live ${p.liveDays} days, retention ${p.retentionDays === undefined ? 'forever' : `${p.retentionDays} days`}, legal hold ${p.legalHold ? 'on' : 'off'}`;

/**
 * `lifecycle show|set|hold|release`: retention and legal hold from the command line, on the same
 * `LifecyclePolicies` the API uses, audited as `cli`. Returns the exit code (2 for usage errors).
 */
export async function runLifecycleCommand(store: Store, args: readonly string[], options: CommandOptions, io: Io, now: () => Date = () => new Date()): Promise<number> {
  const policies = new LifecyclePolicies(store.db, now);
  const [what, target] = args;
  try {
    if (!target) throw new UsageError(`lifecycle ${what ?? ''} needs ${what === 'hold' || what === 'release' ? 'a SESSION' : 'an ACCOUNT'}\n\n${LIFECYCLE_USAGE}`);
    switch (what) {
      case 'show':
      case 'set': {
        if (!(await new AccountsRepository(store.db).findById(target))) throw new UsageError(`account '${target}' does not exist`);
        if (what === 'set') {
          const change = { liveDays: dayCount('--live-days', options.liveDays), retentionDays: dayCount('--retention-days', options.retentionDays), legalHold: onOff(options.legalHold) };
          if (Object.values(change).every((v) => v === undefined)) throw new UsageError('lifecycle set needs --live-days, --retention-days or --legal-hold');
          io.out(describePolicy(target, await policies.setPolicy(target, change, CLI)));
          return 0;
        }
        io.out(describePolicy(target, await policies.policyOf(target)));
        for (const a of await policies.auditsOf(target, 10)) io.out(`  ${a.occurred_at}  ${a.changed_by}  ${a.session_id ? `session ${a.session_id}: ` : ''}${a.change}`);
        return 0;
      }
      case 'hold':
      case 'release': {
        const found = await new SessionsRepository(store.db).findById(target);
        if (!found) throw new UsageError(`session '${target}' does not exist`);
        if (what === 'hold') {
          const hold = await policies.holdSession(found.accountId, found.id, CLI, options.reason);
          io.out(`Session ${found.id} (${found.accountId}) is held since ${hold.placedAt} by ${hold.placedBy}${hold.reason ? `: ${hold.reason}` : ''}`);
        } else {
          io.out(`Session ${found.id} (${found.accountId}) ${(await policies.releaseSession(found.accountId, found.id, CLI)) ? 'is no longer held' : 'was not held'}`);
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command 'lifecycle ${what}'\n\n${LIFECYCLE_USAGE}`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`lifecycle: ${error.message}`);
    return 2;
  }
}
