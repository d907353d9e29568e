/**
 * Type-level tests of `Operation` (style habit 15: type tests for the public API), checked by
 * `npm run typecheck` and never run: each `@ts-expect-error` fails the type-check if its line
 * stops being an error, so a handler whose input disagrees with its request schema cannot compile.
 */
import type { TInteger, TOptional, TString } from '@sinclair/typebox';
import type { Dto } from '../../src/model/dto.js';
import type { SessionCallState, SessionHoldReasons } from '../../src/model/enums.js';
import type { Operation, RequestOf } from '../../src/http/operation.js';
import type { PatchSession, patchSessionOperation } from '../../src/events/session-commands.js';
import type { holdSessionOperation } from '../../src/control/control-operations.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(): T => true as T;

type CallStates = (typeof SessionCallState)['values'][number];
type InputOf<F extends (...args: never[]) => { handle: (input: never, ...rest: never[]) => unknown }> = Parameters<ReturnType<F>['handle']>[0];

// The drift issue 14 found: PatchSession binds five call states, its handler was typed 'Hold' only.
expectType<Equal<NonNullable<InputOf<typeof patchSessionOperation>['callState']>, CallStates>>();
expectType<Equal<InputOf<typeof patchSessionOperation>, RequestOf<typeof PatchSession>>>();
expectType<Equal<NonNullable<InputOf<typeof holdSessionOperation>['reason']>, (typeof SessionHoldReasons)['values'][number]>>();

declare const Patch: Dto<{ sessionId: TOptional<TString>; callState: TOptional<(typeof SessionCallState)['schema']>; count: TOptional<TInteger> }>;
const base = { request: Patch, routes: [] } as const;

// The input is the schema's type, unannotated.
export const inferred: Operation<typeof Patch> = {
  ...base,
  handle: async (_input) => {
    expectType<Equal<typeof _input, { sessionId?: string; callState?: CallStates; count?: number }>>();
    return undefined;
  },
};

// Annotated to agree with the schema: fine.
export const agreeing: Operation<typeof Patch> = { ...base, handle: async (_input: { sessionId?: string; callState?: CallStates; count?: number }) => undefined };

export const narrower: Operation<typeof Patch> = {
  ...base,
  // @ts-expect-error the schema binds five call states; a handler ready for 'Hold' alone disagrees
  handle: async (_input: { sessionId?: string; callState?: 'Hold' }) => undefined,
};

export const otherType: Operation<typeof Patch> = {
  ...base,
  // @ts-expect-error Count binds as a number, not a string
  handle: async (_input: { count?: string }) => undefined,
};

export const notInSchema: Operation<typeof Patch> = {
  ...base,
  // @ts-expect-error the schema has no reason member, so none ever arrives
  handle: async (_input: { reason: string }) => undefined,
};

export const required: Operation<typeof Patch> = {
  ...base,
  // @ts-expect-error every member is optional on the wire: the handler cannot count on one
  handle: async (_input: { sessionId: string }) => undefined,
};

// Declared operations of every request type gather into one list without a cast.
declare const patch: ReturnType<typeof patchSessionOperation>;
declare const hold: ReturnType<typeof holdSessionOperation>;
export const all: Operation[] = [inferred, agreeing, patch, hold];
