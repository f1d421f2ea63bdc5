# e2e-stdin: Ada
# e2e-stdin: 36
# e2e-stdin: not a number
# e2e-stdin: 7
# input(): prompts go to stdout (stdin is not a terminal), EOFError at the
# end of input.
name = input("Your name? ")
print(f"Hello, {name}!")
numbers = []
while True:
    try:
        line = input(f"Number {len(numbers) + 1} (end with EOF): ")
    except EOFError:
        print()
        break
    try:
        numbers.append(int(line))
    except ValueError:
        print(f"  {line!r} is not a number, ignored")
print("numbers:", numbers, "total:", sum(numbers))
