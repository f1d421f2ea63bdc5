# The pattern PyInstaller's documentation teaches: freeze_support() first
# in the main guard, then a spawned Pool and a spawned Process.
import multiprocessing


def cube(x):
    return x ** 3


if __name__ == "__main__":
    multiprocessing.freeze_support()
    multiprocessing.set_start_method("spawn")
    with multiprocessing.Pool(2) as pool:
        print(pool.map(cube, range(6)))
    p = multiprocessing.Process(target=print, args=("child says hi",))
    p.start()
    p.join()
    print("exit", p.exitcode)
