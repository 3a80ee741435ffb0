// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice The one AIToken function the sale needs; the sale holds MINTER_ROLE on the token.
interface IMintableToken {
    function mint(address to, uint256 amount) external;
}

/// @title TokenSale
/// @notice Top-up: sells newly minted AIT for ETH at a rate the owner sets. Used on devnets and testnets so
/// a fresh wallet can get tokens without an exchange.
/// @dev Contract has no receive/fallback function: plain ETH sent without calling `buy` is rejected rather
/// than kept without tokens in return.
contract TokenSale is Ownable, Pausable {
    /// @notice The token sold.
    IMintableToken public immutable token;

    /// @notice AIT base units bought by 1 ETH (1e18 wei); 1000e18 means 1 ETH buys 1000 AIT.
    uint256 public rate;

    event TokensPurchased(address indexed buyer, uint256 weiPaid, uint256 tokens);
    event RateChanged(uint256 oldRate, uint256 newRate);
    event Withdrawn(address indexed to, uint256 amount);

    constructor(address token_, uint256 rate_, address owner_) Ownable(owner_) {
        require(token_ != address(0), "TokenSale: token is the zero address");
        require(rate_ > 0, "TokenSale: rate is zero");
        token = IMintableToken(token_);
        rate = rate_;
        emit RateChanged(0, rate_);
    }

    /// @notice Tokens that `weiAmount` buys at the current rate, rounded down (the buyer never gets more
    /// than paid for).
    function quote(uint256 weiAmount) public view returns (uint256 tokens) {
        return Math.mulDiv(weiAmount, rate, 1e18);
    }

    /// @notice The smallest payment in wei that buys at least `tokens` at the current rate (rounded up), so a
    /// wallet can ask for an exact top-up.
    function weiFor(uint256 tokens) external view returns (uint256) {
        return Math.mulDiv(tokens, 1e18, rate, Math.Rounding.Ceil);
    }

    /// @notice Buys tokens with all the ETH sent.
    /// @param minTokensOut Reverts if fewer tokens would be minted, so a rate change between the buyer's quote
    /// and the transaction's inclusion can never give the buyer less than they agreed to.
    function buy(uint256 minTokensOut) external payable returns (uint256 tokens) {
        require(!paused(), "TokenSale: sale is paused");
        require(msg.value > 0, "TokenSale: no ETH sent");
        tokens = quote(msg.value);
        require(tokens > 0, "TokenSale: payment buys no tokens");
        require(tokens >= minTokensOut, "TokenSale: fewer tokens than minTokensOut");
        token.mint(msg.sender, tokens);
        emit TokensPurchased(msg.sender, msg.value, tokens);
    }

    function setRate(uint256 newRate) external onlyOwner {
        require(newRate > 0, "TokenSale: rate is zero");
        emit RateChanged(rate, newRate);
        rate = newRate;
    }

    function pause() external onlyOwner {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }

    /// @notice Sends the whole ETH balance to `to`.
    function withdraw(address payable to) external onlyOwner {
        require(to != address(0), "TokenSale: withdraw to the zero address");
        uint256 amount = address(this).balance;
        require(amount > 0, "TokenSale: nothing to withdraw");
        emit Withdrawn(to, amount);
        (bool ok,) = to.call{value: amount}("");
        require(ok, "TokenSale: ETH transfer failed");
    }
}
