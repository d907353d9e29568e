// The DTOs an Evo Voice client holds, as `x typescript-ref` would generate them (servicestack-wire.md §8).
import type { IReturn, IReturnVoid } from '@servicestack/client';

export class AuthenticateResponse {
  userId?: string;
  sessionId?: string;
  userName?: string;
  displayName?: string;
  roles?: string[];
  authProvider?: string;
}

export class Authenticate implements IReturn<AuthenticateResponse> {
  provider?: string;
  userName?: string;
  password?: string;
  rememberMe?: boolean;
  constructor(init?: Partial<Authenticate>) {
    Object.assign(this, init);
  }
  getTypeName() {
    return 'Authenticate';
  }
  getMethod() {
    return 'POST';
  }
  createResponse() {
    return new AuthenticateResponse();
  }
}

export class UserInfo {
  id?: string;
  isAuthenticated?: boolean;
  name?: string;
  emailAddress?: string;
  roles?: string[];
  accountIds?: string[];
  accountNames?: string[];
}

export class GetAuthStatus implements IReturn<UserInfo> {
  getTypeName() {
    return 'GetAuthStatus';
  }
  getMethod() {
    return 'GET';
  }
  createResponse() {
    return new UserInfo();
  }
}

export class SessionLogInfo {
  date?: string;
  message?: string;
}

export class SessionInfo {
  id?: string;
  accountId?: string;
  log?: SessionLogInfo[];
}

export class GetSession implements IReturn<SessionInfo> {
  sessionId?: string;
  constructor(init?: Partial<GetSession>) {
    Object.assign(this, init);
  }
  getTypeName() {
    return 'GetSession';
  }
  getMethod() {
    return 'GET';
  }
  createResponse() {
    return new SessionInfo();
  }
}

export class DeleteCustomer implements IReturnVoid {
  customerId?: string;
  constructor(init?: Partial<DeleteCustomer>) {
    Object.assign(this, init);
  }
  getTypeName() {
    return 'DeleteCustomer';
  }
  getMethod() {
    return 'DELETE';
  }
  createResponse() {}
}
