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
