import { describe, expect, it } from 'vitest';
import * as enums from '../../src/model/enums.js';
import { fromWire } from '../../src/model/from-wire.js';
import { SessionInfo } from '../../src/model/session-info.js';
import { writeJson } from '../../src/wire/json-writer.js';
import { writeXml } from '../../src/wire/xml-writer.js';

const fields: Record<string, string> = {
  SessionDialState: 'dialState',
  SessionCallState: 'callState',
  SessionQueueStates: 'queueState',
  FlowChannels: 'channel',
  SessionHoldReasons: 'holdReason',
  SessionDirections: 'direction',
};

describe('every enum value round-trips', () => {
  for (const def of Object.values(enums)) {
    const field = fields[def.name];
    for (const [ordinal, value] of def.values.entries()) {
      it(`${def.name}.${value}`, () => {
        const session = field
          ? { [field]: value }
          : { members: [{ [def.name === 'SessionMemberRoles' ? 'role' : 'callState']: value }] };
        const json = writeJson(SessionInfo, session);
        expect(JSON.parse(json)).toEqual(session);
        const back = fromWire(SessionInfo, JSON.parse(json.replace(`"${value}"`, String(ordinal))));
        expect(back).toEqual({ ok: true, value: session });
        expect(fromWire(SessionInfo, JSON.parse(json.replace(`"${value}"`, `"${value.toUpperCase()}"`)))).toEqual({ ok: true, value: session });
        expect(writeXml(SessionInfo, session)).toContain(`>${value}</`);
      });
    }
  }
});
