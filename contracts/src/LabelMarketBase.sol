// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @dev The one function of ERC20Burnable the market calls (when the token has it).
interface IERC20Burn {
    function burn(uint256 amount) external;
}

/// @title State, types, events and errors of LabelMarket
/// @dev The first layer of `LabelMarket` (LabelMarketBase <- LabelMarketSettlement <-
/// LabelMarket): bounds, types, storage, events, errors and the helpers both other layers
/// use. The protocol is documented on `LabelMarket`.
///
/// solc finds inherited declarations through a derived contract's name only as type names
/// (`LabelMarket.TaskParams memory p`); in expressions, qualify events, errors and enum
/// values with this contract (`LabelMarketBase.NotSeated.selector`, `LabelMarketBase.SeatState.Revealed`).
abstract contract LabelMarketBase is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------- bounds

    uint256 public constant MAX_ITEMS = 256;
    uint256 public constant MAX_CLASSES = 255;
    uint256 public constant MAX_REPLICATION = 7;
    uint256 public constant MAX_REVIEWERS = 3;
    uint256 public constant BPS = 10_000;
    uint256 public constant PUBLIC_KEY_LENGTH = 64;
    /// @notice Where burned tokens go when the token has no `burn(uint256)`.
    address public constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;

    uint8 public constant VERDICT_ACCEPT = 1;
    uint8 public constant VERDICT_REJECT = 2;

    // ---------------------------------------------------------------- types

    /// @notice A task's states: 0 none, 1 open, 2 cancelled, 3 finalized.
    enum TaskState {
        None,
        Open,
        Cancelled,
        Finalized
    }

    /// @notice A seat's (annotator's or reviewer's) states: 0 empty, 1 joined, 2 committed, 3 revealed.
    enum SeatState {
        Empty,
        Joined,
        Committed,
        Revealed
    }

    /// @notice Why tokens were burned: 0 leave fee, 1 slashed stake, 2 reward slot of a wrong label.
    enum BurnReason {
        LeaveFee,
        Slash,
        RewardSlot
    }

    /// @notice The parameters of `createTask`.
    /// @dev Every member is a static 32-byte word, so a client encodes this struct exactly
    /// like 18 flat arguments, in this order (a static tuple is inlined in the ABI head).
    /// Amounts are in the token's smallest unit and must fit in 128 bits; counts and bps
    /// are bounded as documented on the contract; deadlines are unix seconds.
    struct TaskParams {
        bytes32 manifestHash; // keccak256 of the manifest; not zero
        uint256 itemCount; // 1..256
        uint256 classCount; // 2..255
        uint256 replication; // R, annotator seats, 1..7
        uint256 reviewers; // V, review seats per submission, 0..3
        uint256 rewardPerLabel; // paid per correct label; > 0
        uint256 reviewRewardPerItem; // paid per correct verdict; > 0 iff V > 0
        uint256 stakePerItem; // join locks stakePerItem * itemCount; > 0
        uint256 slashBps; // share of stakePerItem burned per wrong label, 0..10,000
        uint256 quorumBps; // 1..10,000
        uint256 leaveFee; // burned on leave, <= stakePerItem * itemCount
        bytes32 goldCommitment; // 0 = no gold
        uint256 minGoldAccuracyBps; // 0..10,000; 0 when there is no gold
        address keyServer; // 0 = public task; else the account that grants keys
        uint256 commitDeadline; // > now
        uint256 revealDeadline; // > commitDeadline
        uint256 reviewCommitDeadline; // > revealDeadline (with V = 0 it only bounds revealGold)
        uint256 reviewRevealDeadline; // > reviewCommitDeadline; the last deadline
    }

    /// @notice A task as `getTask` returns it: the parameters, then the state.
    struct TaskView {
        TaskParams params;
        address requester;
        TaskState state;
        uint256 seatsTaken;
        bool everJoined;
        bool goldRevealed;
        uint256 escrow; // budget while open, 0 once cancelled or finalized
    }

    struct Task {
        // slot 0
        address requester;
        uint64 commitDeadline;
        TaskState state;
        uint8 seatsTaken;
        bool everJoined;
        bool goldRevealed;
        // slot 1
        address keyServer;
        uint64 revealDeadline;
        uint16 itemCount;
        uint8 classCount;
        uint8 replication;
        // slot 2
        uint64 reviewCommitDeadline;
        uint64 reviewRevealDeadline;
        uint8 reviewers;
        uint16 slashBps;
        uint16 quorumBps;
        uint16 minGoldAccuracyBps;
        // slot 3
        uint128 rewardPerLabel;
        uint128 reviewRewardPerItem;
        // slot 4
        uint128 stakePerItem;
        uint128 leaveFee;
        // slots 5..7
        bytes32 manifestHash;
        bytes32 goldCommitment;
        bytes32 goldHash; // keccak256(abi.encode(goldIndices, goldLabels)) once revealed
    }

    struct Submission {
        uint8 seatPlusOne; // 0 = no seat
        SeatState state;
        bool keyGranted;
        bytes32 hash; // commitment, then keccak256(labels) once revealed
    }

    struct Review {
        address reviewer;
        SeatState state;
        bytes32 hash; // commitment, then keccak256(verdicts) once revealed
    }

    struct Account {
        uint128 staked;
        uint128 locked;
    }

    // ---------------------------------------------------------------- storage

    /// @notice The ERC-20 everything is paid in, fixed at deployment.
    IERC20 public immutable token;
    /// @notice Number of tasks created; task ids run from 1 to taskCount.
    uint256 public taskCount;
    /// @notice Tokens burned by the market so far (leave fees, slashes, reward slots).
    uint256 public totalBurned;

    mapping(uint256 taskId => Task) internal _tasks;
    mapping(uint256 taskId => mapping(uint256 seat => address)) internal _seatHolder;
    mapping(uint256 taskId => mapping(address account => Submission)) internal _submissions;
    mapping(uint256 taskId => mapping(uint256 reviewSlot => Review)) internal _reviews;
    mapping(uint256 taskId => mapping(address account => uint256)) internal _reviewSeatsHeld;
    mapping(address account => Account) internal _accounts;
    mapping(address account => uint256) internal _credited;

    // ---------------------------------------------------------------- events

    event Staked(address indexed account, uint256 amount);
    event Unstaked(address indexed account, uint256 amount);
    event TaskCreated(
        uint256 indexed taskId, address indexed requester, TaskParams params, string manifestUri, uint256 budget
    );
    event TaskCancelled(uint256 indexed taskId, address indexed requester, uint256 refund);
    event Joined(uint256 indexed taskId, address indexed account, uint256 seat, bytes publicKey);
    event Left(uint256 indexed taskId, address indexed account, uint256 seat, uint256 fee);
    event Committed(uint256 indexed taskId, address indexed account, uint256 seat, bytes32 commitment);
    event Revealed(uint256 indexed taskId, address indexed account, uint256 seat, bytes labels, bytes payload);
    event GoldRevealed(uint256 indexed taskId, uint16[] goldIndices, bytes goldLabels);
    event KeyGranted(uint256 indexed taskId, address indexed account, bytes sealedKey);
    event ReviewJoined(
        uint256 indexed taskId, address indexed reviewer, uint256 seat, uint256 reviewSlot, bytes publicKey
    );
    event ReviewCommitted(
        uint256 indexed taskId, address indexed reviewer, uint256 seat, uint256 reviewSlot, bytes32 commitment
    );
    event ReviewRevealed(
        uint256 indexed taskId, address indexed reviewer, uint256 seat, uint256 reviewSlot, bytes verdicts
    );
    /// @notice One per annotator seat (reviewSlot = type(uint256).max) and per taken review
    /// seat at settlement. `reward` was credited, `slashed` burned from the account's stake.
    event Settled(
        uint256 indexed taskId,
        address indexed account,
        uint256 seat,
        uint256 reviewSlot,
        uint256 correct,
        uint256 wrong,
        uint256 reward,
        uint256 slashed
    );
    /// @notice Every burn, by account and reason; the amounts add up to `totalBurned`.
    event Burned(uint256 indexed taskId, address indexed account, BurnReason reason, uint256 amount);
    event Finalized(uint256 indexed taskId, uint256 refund, uint256 burned);
    event Claimed(address indexed account, uint256 amount);

    // ---------------------------------------------------------------- errors

    error ZeroAmount();
    error AmountTooLarge();
    error InsufficientFreeStake(uint256 free, uint256 needed);
    error TokenTransferMismatch(uint256 expected, uint256 received);
    error InvalidManifest();
    error InvalidItemCount(uint256 itemCount);
    error InvalidClassCount(uint256 classCount);
    error InvalidReplication(uint256 replication);
    error InvalidReviewerCount(uint256 reviewers);
    error UnverifiableTask();
    error InvalidReward();
    error InvalidStake();
    error InvalidBps(uint256 value);
    error LeaveFeeTooHigh(uint256 leaveFee, uint256 lock);
    error InvalidGold();
    error InvalidDeadlines();
    error UnknownTask(uint256 taskId);
    error TaskNotOpen(uint256 taskId, TaskState state);
    error NotRequester();
    error TaskHasJoins();
    error TooEarly(uint256 notBefore);
    error TooLate(uint256 deadline);
    error RequesterCannotJoin();
    error AlreadyJoined();
    error NoSeatLeft();
    error BadPublicKey();
    error NotSeated();
    error WrongState(SeatState state);
    error ZeroCommitment();
    error BadLength(uint256 length, uint256 expected);
    error CommitmentMismatch();
    error NoGold();
    error GoldAlreadyRevealed();
    error GoldMismatch();
    error NotPrivate();
    error NotKeyServer();
    error NoReviews();
    error InvalidSeat(uint256 seat);
    error SubmissionNotRevealed(uint256 seat);
    error ReviewerIsAnnotator();
    error LabelsMismatch(uint256 seat);
    error VerdictsMismatch(uint256 reviewSlot);
    error NothingToClaim();

    // ---------------------------------------------------------------- construction

    /// @param token_ The ERC-20 of stakes, budgets and rewards (no fee on transfer).
    constructor(IERC20 token_) {
        token = token_;
    }

    // ---------------------------------------------------------------- shared internals

    function _openTask(uint256 taskId) internal view returns (Task storage t) {
        t = _tasks[taskId];
        TaskState state = t.state;
        if (state == TaskState.None) revert UnknownTask(taskId);
        if (state != TaskState.Open) revert TaskNotOpen(taskId, state);
    }

    /// @dev Burns with the token's `burn` when it has one, else sends to BURN_ADDRESS.
    function _burn(uint256 amount) internal {
        totalBurned += amount;
        try IERC20Burn(address(token)).burn(amount) {}
        catch {
            token.safeTransfer(BURN_ADDRESS, amount);
        }
    }
}
