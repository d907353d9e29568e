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
  consoleData?: string;
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

export class CustomerBreadcrumb {
  id?: string;
  name?: string;
}

export class EndpointInfo {
  id?: string;
  accountId?: string;
  accountName?: string;
  customerId?: string;
  customerName?: string;
  referenceId?: string;
  customerBreadcrumb?: CustomerBreadcrumb[];
  displayName?: string;
  type?: string;
  phoneNumber?: string;
  userMode?: string;
  sipUserName?: string;
  identity?: string;
  email?: string;
  avatarUrl?: string;
}

/** A request DTO class as `x typescript-ref` writes one: its name, its verb, its response. */
function requestDto<R>(name: string, method: string, response: new () => R) {
  return class {
    constructor(init?: Record<string, unknown>) {
      Object.assign(this, init);
    }
    getTypeName() {
      return name;
    }
    getMethod() {
      return method;
    }
    createResponse() {
      return new response();
    }
  } as unknown as new (init?: Record<string, unknown>) => IReturn<R>;
}

export const NewUserEndpoint = requestDto('NewUserEndpoint', 'POST', EndpointInfo);
export const NewTeamEndpoint = requestDto('NewTeamEndpoint', 'POST', EndpointInfo);
export const NewEmailEndpoint = requestDto('NewEmailEndpoint', 'POST', EndpointInfo);
export const NewSipTrunkEndpoint = requestDto('NewSipTrunkEndpoint', 'POST', EndpointInfo);
export const NewAssistantEndpoint = requestDto('NewAssistantEndpoint', 'POST', EndpointInfo);
export const BuyPhoneNumber = requestDto('BuyPhoneNumber', 'POST', EndpointInfo);
export const GetEndpoint = requestDto('GetEndpoint', 'GET', EndpointInfo);
export const PatchEndpoint = requestDto('PatchEndpoint', 'PATCH', EndpointInfo);

export class CustomerInfo {
  id?: string;
  accountId?: string;
  parentCustomerId?: string;
  breadcrumb?: CustomerBreadcrumb[];
  accountName?: string;
  name?: string;
  referenceId?: string;
}
export const PatchCustomer = requestDto('PatchCustomer', 'PATCH', CustomerInfo);

export class AccountInfo {
  id?: string;
  name?: string;
  parentAccountId?: string;
  twilioAccountSid?: string;
  ancestorIds?: string[];
}
export const PatchAccount = requestDto('PatchAccount', 'PATCH', AccountInfo);

export const AppendSessionLog = requestDto('AppendSessionLog', 'POST', SessionInfo);
export const PatchSession = requestDto('PatchSession', 'PATCH', SessionInfo);
