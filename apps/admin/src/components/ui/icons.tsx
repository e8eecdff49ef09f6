/** The few icons the dashboard draws (stroke icons, 24×24 grid, sized by the caller's font size). */
const icon = (paths: string[]) =>
  function Icon() {
    return (
      <svg
        width="1.1em"
        height="1.1em"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth={2}
        strokeLinecap="round"
        strokeLinejoin="round"
        aria-hidden="true"
      >
        {paths.map((d) => (
          <path key={d} d={d} />
        ))}
      </svg>
    );
  };

export const CopyIcon = icon(['M8 8h12v12H8z', 'M16 8V4H4v12h4']);
export const CheckIcon = icon(['M5 12l5 5L20 7']);
export const QrIcon = icon(['M4 4h6v6H4z', 'M14 4h6v6h-6z', 'M4 14h6v6H4z', 'M14 14h2v2h-2z', 'M18 18h2v2h-2z']);
