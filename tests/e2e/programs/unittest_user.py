# A program that imports unittest itself and runs a small TestCase (a
# common way to ship a self-check): every submodule unittest imports must
# be packed once the program imports unittest.
import io
import unittest
import unittest.mock


class Arithmetic(unittest.TestCase):
    def test_add(self):
        self.assertEqual(1 + 1, 2)

    def test_fails(self):
        self.assertEqual(2 * 2, 5)

    @unittest.skip("not today")
    def test_skipped(self):
        pass

    def test_subtests(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertLess(i, 2)


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Arithmetic)
    # The runner's own report has timings and source lines: keep it out.
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    print("run", result.testsRun, "failures", len(result.failures), "skipped", len(result.skipped))
    for test, _ in result.failures:
        print("failed:", test.id())
    print("mock works:", unittest.mock.MagicMock(return_value=3)() == 3)
