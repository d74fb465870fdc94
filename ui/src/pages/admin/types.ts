// The shapes of the admin routes' answers (docs/api.md "Users and tokens", "Projects").

export interface User {
  name: string;
  admin: boolean;
  created_at: string;
}

export interface Token {
  id: number;
  user: string;
  label: string;
  scopes: string;
  endpoint: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked: boolean;
}

export interface Project {
  name: string;
  description: string;
  created_at: string;
  role?: string;
}

export interface Member {
  user: string;
  role: string;
  added_at: string;
}

export const kRoles = ['viewer', 'editor', 'owner'];
