// The call-control DTOs as an Evo Voice client holds them (`x typescript-ref` style), for @servicestack/client.
import type { IReturn, IReturnVoid } from '@servicestack/client';

/** Fields are `declare`d in subclasses, so the initializer does not reset what the constructor assigned. */
class Dto {
  constructor(init?: object) {
    Object.assign(this, init);
  }
}

export class SessionInfo {
  id?: string;
  callState?: string;
  ended?: boolean;
}

export class EndSession extends Dto implements IReturnVoid {
  declare sessionId?: string;
  declare callSid?: string;
  getTypeName() {
    return 'EndSession';
  }
  getMethod() {
    return 'DELETE';
  }
  createResponse() {}
}

export class HoldSession extends Dto implements IReturn<SessionInfo> {
  declare sessionId?: string;
  declare callSid?: string;
  declare reason?: 'None' | 'Transferring';
  getTypeName() {
    return 'HoldSession';
  }
  getMethod() {
    return 'POST';
  }
  createResponse() {
    return new SessionInfo();
  }
}

export class CallInfo {
  sid?: string;
  status?: string;
}

export class GetActiveCallsResponse {
  calls?: CallInfo[];
}

export class GetActiveCalls extends Dto implements IReturn<GetActiveCallsResponse> {
  declare accountId?: string;
  getTypeName() {
    return 'GetActiveCalls';
  }
  getMethod() {
    return 'GET';
  }
  createResponse() {
    return new GetActiveCallsResponse();
  }
}

export class NewOutgoingSession extends Dto implements IReturnVoid {
  declare flowId?: string;
  declare numberToDial?: string;
  declare callerId?: string;
  getTypeName() {
    return 'NewOutgoingSession';
  }
  getMethod() {
    return 'POST';
  }
  createResponse() {}
}
