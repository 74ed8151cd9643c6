/** A form that submits on Enter or its submit button without reloading the page. */
export function Form({
  className = 'form',
  onSubmit,
  children,
}: {
  className?: string;
  onSubmit: () => unknown;
  children: React.ReactNode;
}) {
  return (
    <form
      className={className}
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}
