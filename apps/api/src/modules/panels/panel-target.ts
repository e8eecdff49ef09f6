/** What the panels module needs of a node: which it is, where its panel answers and how to sign in (secrets sealed). */
export interface PanelTarget {
  id: number;
  name: string;
  panelUrl: string;
  panelUsername: string;
  panelPasswordEncrypted: string;
  panelApiTokenEncrypted: string | null;
  tlsVerify: boolean;
}

/** A panel's address and sign-in, in the clear: one not saved as a node yet (its connection test). */
export interface PanelCredentials {
  panelUrl: string;
  panelUsername: string;
  panelPassword: string;
  panelApiToken?: string | null;
  tlsVerify?: boolean;
}
